/**
 * Where the comments written inside an Endpoints object go in the EndpointSlices that replace it: to the
 * corresponding place where there is one (the object's own fields in every slice, an address's comments on the
 * endpoint made of it, a port's on that port in the slices of its subset), and nowhere otherwise, in which case
 * the conversion is refused, naming the comment: a fix never drops what a user wrote.
 */
import type { NodeComment, NodePath } from '../src/k8s/comments.js';
import type { PlacedComment } from '../src/k8s/render.js';
import { RawBlock } from '../src/k8s/values.js';
import { DROPPED_ANNOTATIONS, type Origins } from './endpoints-to-slices.js';

export type CommentPlacement = { ok: true; perSlice: PlacedComment[][] } | { ok: false; comment: NodeComment };

const OBJECT_FIELDS = ['apiVersion', 'kind'];
const CARRIED_METADATA = ['name', 'namespace', 'labels', 'annotations', 'ownerReferences', 'finalizers'];
const ADDRESS_LISTS = ['addresses', 'notReadyAddresses'];

interface Target {
  slices: number[];
  path: NodePath;
  onKey: boolean;
  place: NodeComment['place'];
}

type Endpoints = { metadata?: { labels?: unknown; annotations?: unknown } };

/** Where one comment goes; `null` when it is kept as written (inside a templated block), undefined: nowhere. */
function targetOf(comment: NodeComment, origins: Origins, sliceCount: number, endpoints: Endpoints): Target | null | undefined {
  const { path, onKey, place } = comment;
  const all = Array.from({ length: sliceCount }, (_, i) => i);
  const same = (slices: number[], to: NodePath = path, key = onKey, at = place): Target => ({ slices, path: to, onKey: key, place: at });
  const [top, second, third] = path;
  if (path.length === 1 && OBJECT_FIELDS.includes(String(top))) return same(all);
  if (top === 'metadata') {
    if (path.length === 1) return same(all);
    if (!CARRIED_METADATA.includes(String(second))) return undefined;
    const block = (endpoints.metadata as Record<string, unknown> | undefined)?.[String(second)];
    // A templated labels/annotations block is copied line for line, its comments with it.
    if (block instanceof RawBlock && (path.length > 2 || !onKey)) return null;
    if (second === 'annotations' && path.length > 2 && DROPPED_ANNOTATIONS.includes(String(third))) return undefined;
    return same(all);
  }
  if (top !== 'subsets' || typeof second !== 'number') return undefined;
  const list = String(third);
  if (ADDRESS_LISTS.includes(list)) {
    // A comment before the first address (attached to the list) goes before the endpoint of that address.
    const first = path.length === 3 && !onKey && place === 'before';
    const index = first ? 0 : path[3];
    if (typeof index !== 'number') return undefined;
    const origin = origins.endpoints.get(`subsets[${second}].${list}[${index}]`);
    if (!origin) return undefined;
    const [slice, endpoint] = origin;
    const rest = path.slice(4);
    const at: NodePath = ['endpoints', endpoint];
    if (first || rest.length === 0) return same([slice], at, false);
    if (rest[0] === 'ip') return onKey ? same([slice], [...at, 'addresses'], true) : same([slice], [...at, 'addresses', 0], false);
    return same([slice], [...at, ...rest]);
  }
  if (list === 'ports') {
    const origin = origins.ports.get(second);
    if (!origin) return undefined;
    if (path.length === 3) {
      if (onKey) return same(origin.slices, ['ports']);
      return place === 'before' && origin.order.length > 0 ? same(origin.slices, ['ports', origin.order[0]], false) : undefined;
    }
    const index = path[3];
    if (typeof index !== 'number' || origin.order[index] === undefined || origin.order[index] < 0) return undefined;
    return same(origin.slices, ['ports', origin.order[index], ...path.slice(4)]);
  }
  return undefined;
}

function sameSpot(a: PlacedComment, b: PlacedComment): boolean {
  return a.place === b.place && a.onKey === b.onKey && a.path.join('\u0000') === b.path.join('\u0000');
}

/** The comments for each slice, or the first comment that has no place in them. */
export function placeComments(comments: NodeComment[], origins: Origins, sliceCount: number, endpoints: unknown): CommentPlacement {
  const perSlice: PlacedComment[][] = Array.from({ length: sliceCount }, () => []);
  for (const comment of comments) {
    const target = targetOf(comment, origins, sliceCount, (endpoints ?? {}) as Endpoints);
    if (target === null) continue;
    if (!target) return { ok: false, comment };
    for (const slice of target.slices) {
      const placed = perSlice[slice];
      // Two subsets with the same ports may say the same thing about a port: once is enough.
      const next: PlacedComment = { path: target.path, onKey: target.onKey, place: target.place, text: comment.text, line: comment.line };
      if (!placed.some((c) => sameSpot(c, next) && c.text === next.text)) placed.push(next);
    }
  }
  return { ok: true, perSlice };
}
