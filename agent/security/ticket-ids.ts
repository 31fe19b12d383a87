import { createHmac, timingSafeEqual } from 'node:crypto';

// The QR page of a ticket is found by `<ticket id>.<tag>`, the tag being 128 bits of HMAC-SHA256 with the
// hall secret: nobody can reach a ticket page by counting numbers or dates, no table and no write are
// needed at issue time (the ticket is printed inside the issuing request), and the link survives restarts.

const TAG_BYTES = 16;

function tag(secret: string, ticketId: string): Buffer {
  return createHmac('sha256', secret).update(`ticket-page:${ticketId}`).digest().subarray(0, TAG_BYTES);
}

export function publicTicketId(secret: string, ticketId: string): string {
  return `${Buffer.from(ticketId).toString('base64url')}.${tag(secret, ticketId).toString('base64url')}`;
}

/** the ticket id behind a public id, or undefined when the tag does not match */
export function ticketIdFromPublic(secret: string, publicId: string): string | undefined {
  const [idPart, tagPart, extra] = publicId.split('.');
  if (!idPart || !tagPart || extra !== undefined || publicId.length > 200) return undefined;
  const ticketId = Buffer.from(idPart, 'base64url').toString('utf8');
  const given = Buffer.from(tagPart, 'base64url');
  const expected = tag(secret, ticketId);
  return given.length === expected.length && timingSafeEqual(given, expected) ? ticketId : undefined;
}
