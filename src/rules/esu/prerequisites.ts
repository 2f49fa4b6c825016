import { type EsuPrerequisite, esu } from '../../data/esu.ts';

/** The prerequisite updates that exist on `asOf` (an update cannot be required before it was published). */
export const prerequisitesAsOf = (asOf: string): readonly EsuPrerequisite[] =>
  esu.prerequisites.filter((p) => p.from === undefined || p.from <= asOf);

/** Which prerequisites a listing shows; a KB it does not show is "not listed", never proof it is missing. */
export const listedPrerequisites = (
  listed: readonly string[],
  asOf: string,
): { listed: EsuPrerequisite[]; notListed: EsuPrerequisite[] } => {
  const have = new Set(listed.map((kb) => kb.toUpperCase()));
  const out = { listed: [] as EsuPrerequisite[], notListed: [] as EsuPrerequisite[] };
  for (const p of prerequisitesAsOf(asOf)) (have.has(p.kb) ? out.listed : out.notListed).push(p);
  return out;
};
