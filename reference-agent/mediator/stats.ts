/**
 * What the mediator did with what it was given, counted: a load run compares these with what its
 * virtual agents sent and received, so a loss is accounted for on both sides (issue 18, item 5).
 */
export interface MediatorStats {
  /** Forwards received (RFC 0094), deliverable or not. */
  forwards: number;
  /** Forwards to a key no granted client registered: not delivered (RFC 0094, RFC 0211). */
  undeliverable: number;
  /** Delivered on the client's live-mode session as they came (RFC 0685, Live Mode). */
  deliveredLive: number;
  /** Pushed to the endpoint of the client's DID. */
  pushed: number;
  /** Held for pickup (RFC 0685). */
  queued: number;
  /** Acknowledged by messages-received and removed from the queue. */
  pickedUp: number;
  /** Still held for pickup now. */
  waiting: number;
  /** Times the dropConnectionsEvery fault terminated every connection. */
  connectionDrops: number;
}

export function emptyStats(): MediatorStats {
  return { forwards: 0, undeliverable: 0, deliveredLive: 0, pushed: 0, queued: 0, pickedUp: 0, waiting: 0, connectionDrops: 0 };
}
