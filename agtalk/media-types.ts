/**
 * File extensions name the media type of the message inside (as in DIF's DIDComm filesystem
 * transport), so an adapter knows the Content-Type without reading the bytes.
 */
export const MEDIA_TYPES = {
  /** DIDComm v1 plaintext (Aries RFC 0044: `application/json`). */
  dm: 'application/json',
  /** Aries RFC 0019 encryption envelope. */
  dee: 'application/didcomm-envelope-enc',
  /** DIDComm v2 plaintext, encrypted, signed. */
  dcpm: 'application/didcomm-plain+json',
  dcem: 'application/didcomm-encrypted+json',
  dcsm: 'application/didcomm-signed+json',
  /** Anything else, e.g. A2A JSON-RPC. */
  json: 'application/json',
} as const;

export type MessageExtension = keyof typeof MEDIA_TYPES;

export function isMessageExtension(value: string): value is MessageExtension {
  return Object.hasOwn(MEDIA_TYPES, value);
}

export function mediaTypeForExtension(extension: MessageExtension): string {
  return MEDIA_TYPES[extension];
}

export interface ExtensionLookupOptions {
  /** Which extension plain `application/json` maps to: `dm` (DIDComm v1, default) or `json`. */
  plainJson?: 'dm' | 'json';
}

/** Maps a Content-Type header to an extension; undefined when the type is not a message type. */
export function extensionForMediaType(
  contentType: string | undefined,
  options: ExtensionLookupOptions = {},
): MessageExtension | undefined {
  if (!contentType) return undefined;
  const [essence = '', ...params] = contentType.toLowerCase().split(';').map((part) => part.trim());
  switch (essence) {
    case 'application/didcomm-envelope-enc':
    case 'application/ssi-agent-wire': // the pre-RFC 0044 name some agents still send
      return 'dee';
    case 'application/didcomm-plain+json':
      return 'dcpm';
    case 'application/didcomm-encrypted+json':
      return 'dcem';
    case 'application/didcomm-signed+json':
      return 'dcsm';
    case 'application/json':
      // RFC 0044 marks DIDComm v1 plaintext as `application/json;flavor=didcomm-msg`.
      if (params.includes('flavor=didcomm-msg')) return 'dm';
      return options.plainJson ?? 'dm';
    default:
      return undefined;
  }
}
