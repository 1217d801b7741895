const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for an XML element body or attribute. */
export function escapeXml(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!) : text;
}

/** `<name>value</name>`, or nothing when the value is undefined (EC2 omits absent members). */
export function xmlElement(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? escapeXml(value) : String(value);
  return text === '' ? `<${name}/>` : `<${name}>${text}</${name}>`;
}

/** ISO-8601 with milliseconds, the form EC2 uses for timestamps. */
export function xmlTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** A `<xxxSet>` of `<item>`s; an empty list renders as `<xxxSet/>`. */
export function xmlItemSet(name: string, items: readonly string[]): string {
  if (items.length === 0) return `<${name}/>`;
  return `<${name}>${items.map((i) => `<item>${i}</item>`).join('')}</${name}>`;
}

/** `<tagSet>` from a tag map, in insertion order. */
export function xmlTagSet(tags: ReadonlyMap<string, string>): string {
  const items: string[] = [];
  for (const [k, v] of tags) items.push(xmlElement('key', k) + xmlElement('value', v));
  return xmlItemSet('tagSet', items);
}

const NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** The success envelope: `<OpResponse xmlns=…><requestId>…</requestId>…</OpResponse>`. */
export function renderSuccess(action: string, requestId: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACE}"><requestId>${requestId}</requestId>${inner}</${action}Response>`;
}

/** The error envelope; note `<RequestID>` (capitalised) as real EC2 sends it. */
export function renderError(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}
