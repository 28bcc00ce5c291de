/**
 * Appending one array to another. `target.push(...items)` passes every item as a call argument, and an array of
 * some hundred thousand items (findings of a crafted file, errors of a big scan) overflows the call stack.
 */
export function pushAll<T>(target: T[], items: readonly T[]): T[] {
  for (const item of items) target.push(item);
  return target;
}
