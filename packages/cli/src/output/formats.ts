/** `--output`'s words (no imports: the program reads them while parsing flags). */
export const OUTPUT_FORMATS = Object.freeze(['json', 'table', 'text'] as const);
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
