/** Everything a person reads exists in Japanese and English. */
export interface Text {
  readonly ja: string;
  readonly en: string;
}

export type Lang = keyof Text;

/** Fills `{name}` placeholders; unknown names stay visible rather than silently vanishing. */
export const fill = (template: string, vars: Readonly<Record<string, string | number | undefined>>): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = vars[name];
    return v === undefined ? whole : String(v);
  });
