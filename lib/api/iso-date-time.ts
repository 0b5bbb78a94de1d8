import { z } from 'zod';

/**
 * An instant as the API writes it: an ISO 8601 string in UTC on the wire, a Date in code. A
 * codec, so a response schema encodes (z.encode) the very Dates lib/ reads, and its JSON Schema
 * (io: 'input', the wire side) says "date-time".
 */
export const isoDateTime = z.codec(z.iso.datetime(), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => date.toISOString(),
});
