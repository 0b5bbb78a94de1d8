/**
 * The placeholders an author writes in SQL fields, and where each may appear. They are filled by
 * text substitution ({{old}} → NEW."user_email", {{row}} → t), so each must stand where a column
 * reference stands: never inside a string, a quoted identifier, a dollar quote or a comment,
 * never glued to another token. Otherwise what was checked and what runs would differ, e.g.
 * `$a{{row}}$` is one dollar-quote tag when checked and another one when it runs.
 */
export type Placeholder = 'old' | 'new' | 'row';

/** Which placeholders a SQL field may use; each operation says it for its own fields. */
export interface FieldPlaceholders {
  placeholders: Placeholder[];
  /** A mapping converts one value: it must say where that value goes. */
  required?: Placeholder;
}

/** A field computed once, for every row alike (a default, a type name): no placeholder. */
export const NO_PLACEHOLDERS: FieldPlaceholders = { placeholders: [] };
/** A value computed for each row: other columns through {{row}}."col". */
export const ROW_PLACEHOLDERS: FieldPlaceholders = { placeholders: ['row'] };

/** An identifier the checker puts where a placeholder was, to find it again in tokens and in the tree. */
export const placeholderMarker = (p: Placeholder) => `ec_placeholder_${p}`;

export interface PlaceholderUse {
  placeholder: Placeholder;
  /** How often it is written in the field. */
  count: number;
}

/**
 * Finds every `{{…}}` in a field: the known placeholders it may use, and what is wrong (an unknown
 * or misplaced placeholder, or one glued to a neighbouring character). Pure text; the token-level
 * check is done on the lexer's output by the caller.
 */
export function placeholderUses(rule: FieldPlaceholders, text: string): { uses: PlaceholderUse[]; problems: string[] } {
  const allowed = rule.placeholders;
  const problems: string[] = [];
  const counts = new Map<Placeholder, number>();
  for (const match of text.matchAll(/\{\{([^}]*)\}\}/g)) {
    const name = match[1] as Placeholder;
    if (!allowed.includes(name)) {
      problems.push(
        allowed.length
          ? `${match[0]} cannot be used here: use ${allowed.map((a) => `{{${a}}}`).join(' or ')}`
          : `${match[0]} cannot be used here: this field takes no placeholder`,
      );
      continue;
    }
    const before = text[match.index - 1] ?? ' ';
    const after = text[match.index + match[0].length] ?? ' ';
    // Glued to an identifier, a quote, a dollar quote or a digit, the substituted text would lex differently.
    const glued = /[\p{L}\p{N}_$"'&\\.]/u.test(before) || (name === 'row' ? after !== '.' : /[\p{L}\p{N}_$"'.(]/u.test(after));
    if (glued)
      problems.push(name === 'row' ? `${match[0]} must stand alone and be followed by ."column"` : `${match[0]} must stand alone, where a column value goes`);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  if (/ec_placeholder_/i.test(text)) problems.push('contains a reserved name (ec_placeholder_…)');
  const { required } = rule;
  if (required && !counts.has(required)) problems.push(`must use {{${required}}} for the value it converts`);
  return { uses: [...counts].map(([placeholder, count]) => ({ placeholder, count })), problems };
}

/** The field with each placeholder replaced by its marker identifier, for the lexer and the parser. */
export function withMarkers(text: string): string {
  return text.replace(/\{\{(old|new|row)\}\}/g, (_m, p: Placeholder) => placeholderMarker(p));
}
