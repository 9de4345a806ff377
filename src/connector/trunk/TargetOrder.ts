import type { RouteTarget } from './Routes.js';

/**
 * The order in which a call tries a route's targets, as Chime's origination routes choose hosts:
 * lower priority values first; among targets of equal priority, a weighted random order (each place
 * drawn in proportion to the weights of the targets not yet placed), so that weights 3 and 1 send
 * three calls in four to the first target first. Targets `usable` rejects (down on OPTIONS) are left out.
 */
export function orderTargets<T extends Pick<RouteTarget, 'priority' | 'weight'>>(
  targets: readonly T[],
  usable: (target: T) => boolean = () => true,
  random: () => number = Math.random,
): T[] {
  const byPriority = new Map<number, T[]>();
  for (const target of targets.filter(usable)) {
    const group = byPriority.get(target.priority) ?? [];
    group.push(target);
    byPriority.set(target.priority, group);
  }
  return [...byPriority.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([, group]) => weightedShuffle(group, random));
}

function weightedShuffle<T extends Pick<RouteTarget, 'weight'>>(group: T[], random: () => number): T[] {
  const left = [...group];
  const out: T[] = [];
  while (left.length > 0) {
    let draw = random() * left.reduce((sum, t) => sum + t.weight, 0);
    let index = 0;
    while (index < left.length - 1 && draw >= left[index]!.weight) draw -= left[index++]!.weight;
    out.push(...left.splice(index, 1));
  }
  return out;
}
