import { z } from 'zod';
import { loadData } from '../data/load.ts';

const Dated = z.strictObject({ date: z.string(), source: z.string() });
const Version = z.strictObject({
  id: z.string(),
  name: z.string(),
  aliases: z.array(z.string()).optional(),
  endOfSupport: Dated.optional(),
});
const Edition = z.strictObject({
  id: z.string(),
  name: z.record(z.string(), z.string()),
  aliases: z.array(z.string()).optional(),
  versions: z.array(z.string()).optional(),
});
const Product = z.strictObject({
  family: z.string(),
  name: z.strictObject({ ja: z.string(), en: z.string() }),
  aliases: z.array(z.string()).optional(),
  versions: z.array(Version),
  editions: z.array(Edition),
  components: z.record(z.string(), z.record(z.string(), z.array(z.string()))).optional(),
});
const CatalogueFile = z.strictObject({ checked: z.string(), products: z.record(z.string(), Product) });

export type ProductEntry = z.output<typeof Product>;

/** A value the catalogue does not know: carries the values it does know, for the input error. */
export interface Unknown {
  readonly unknown: string;
  readonly known: readonly string[];
}

const key = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');

const file = loadData('catalogue.yaml', CatalogueFile);

const byAlias = <T extends { id: string; aliases?: string[] | undefined }>(items: readonly T[]) => {
  const map = new Map<string, T>();
  for (const item of items) {
    map.set(key(item.id), item);
    for (const alias of item.aliases ?? []) map.set(key(alias), item);
  }
  return map;
};

const productIndex = byAlias(Object.entries(file.products).map(([id, p]) => ({ ...p, id })));
const versionIndex = new Map(
  Object.entries(file.products).map(([id, p]) => [id, byAlias(p.versions)] as const),
);
const editionIndex = new Map(
  Object.entries(file.products).map(([id, p]) => [id, byAlias(p.editions)] as const),
);
const versionOrder = new Map(
  Object.entries(file.products).map(([id, p]) => [id, new Map(p.versions.map((v, i) => [v.id, i]))] as const),
);

export const catalogueChecked = file.checked;

export const productIds = (): readonly string[] => Object.keys(file.products);

export const product = (id: string): ProductEntry => {
  const p = file.products[id];
  if (!p) throw new Error(`catalogue: no product ${id}`);
  return p;
};

export const resolveProduct = (text: string): string | Unknown => {
  const hit = productIndex.get(key(text));
  return hit ? hit.id : { unknown: text, known: productIds() };
};

export const resolveVersion = (productId: string, text: string): string | Unknown => {
  const hit = versionIndex.get(productId)?.get(key(text));
  return hit ? hit.id : { unknown: text, known: product(productId).versions.map((v) => v.id) };
};

export const resolveEdition = (productId: string, text: string, versionId?: string): string | Unknown => {
  const hit = editionIndex.get(productId)?.get(key(text));
  const available = (e: { versions?: string[] | undefined }) =>
    versionId === undefined || e.versions === undefined || e.versions.includes(versionId);
  if (hit && available(hit)) return hit.id;
  return {
    unknown: text,
    known: product(productId)
      .editions.filter(available)
      .map((e) => e.id),
  };
};

/** Position in release order; downgrade rights compare these. */
export const versionRank = (productId: string, versionId: string): number =>
  versionOrder.get(productId)?.get(versionId) ?? -1;

export const endOfSupport = (productId: string, versionId: string) =>
  product(productId).versions.find((v) => v.id === versionId)?.endOfSupport;

/** The component products of a suite, or undefined for products that are not suites. */
export const suiteComponents = (
  productId: string,
  editionId: string,
  versionId: string,
): readonly string[] | undefined => product(productId).components?.[editionId]?.[versionId];

export const knownComponents = (productId: string): readonly string[] => {
  const all = new Set<string>();
  for (const byVersion of Object.values(product(productId).components ?? {}))
    for (const list of Object.values(byVersion)) for (const c of list) all.add(c);
  return [...all].sort();
};

export const displayName = (productId: string, editionId: string, versionId: string): string => {
  const p = product(productId);
  const v = p.versions.find((x) => x.id === versionId);
  const e = p.editions.find((x) => x.id === editionId);
  const editionName = e?.name[versionId] ?? e?.name.default ?? editionId;
  return `${v?.name ?? `${productId} ${versionId}`} ${editionName}`;
};
