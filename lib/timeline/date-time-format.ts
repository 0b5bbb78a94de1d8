const formats = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATS = 500;

/**
 * An Intl.DateTimeFormat for `locale` and `options`, made once and reused: making one costs far
 * more than formatting with it, and `toLocaleString(locale, options)` makes one on every call (the
 * week's 130 bars spent 13 ms a page on it). Kept per zone and options, which are few; the cache is
 * bounded all the same.
 */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}\u0000${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    if (formats.size >= MAX_FORMATS) formats.clear();
    format = new Intl.DateTimeFormat(locale, options);
    formats.set(key, format);
  }
  return format;
}
