/** A JSON object (not null, not an array): what every A2A payload must be before its members are read. */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
