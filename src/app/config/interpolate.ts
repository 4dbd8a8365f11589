export type Interpolated = { readonly ok: true; readonly value: string; readonly used: boolean } | { readonly ok: false; readonly message: string };

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces each `${NAME}` with that environment variable; `$${` stands for a literal `${`.
 * An unset variable is a mistake (never silently empty). Messages name variables, never values.
 */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): Interpolated {
  if (!text.includes('${')) return { ok: true, value: text, used: false };
  let problem: string | undefined;
  let used = false;
  const value = text.replace(REFERENCE, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      problem ??= 'unterminated "${"; expected ${NAME} (or $${ for a literal "${")';
      return match;
    }
    if (!NAME.test(name)) {
      problem ??= `"\${${name}}" is not a variable reference; expected \${NAME} with letters, digits and _ (or $\${ for a literal "\${")`;
      return match;
    }
    const v = env[name];
    if (v === undefined) {
      problem ??= `environment variable ${name} is not set; expected it to be set when Lifeboat runs (referenced as \${${name}})`;
      return match;
    }
    used = true;
    return v;
  });
  return problem === undefined ? { ok: true, value, used } : { ok: false, message: problem };
}

/** The text that interpolates back to `text` (every `${` written as `$${`). */
export function escapeInterpolation(text: string): string {
  // A function, not a string: in a replacement string `$$` itself means one `$`.
  return text.replaceAll('${', () => '$${');
}
