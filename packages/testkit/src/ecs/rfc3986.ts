/**
 * Percent-encodes everything except `A-Z a-z 0-9 - _ . ~`, as both Alibaba signature
 * schemes require (`encodeURIComponent` leaves `! ' ( ) *` raw, so they are added).
 */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
