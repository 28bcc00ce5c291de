/**
 * The edits of one finding's fix, collected while a codemod walks the code, with the client-node names it needs
 * added to the file's own import (named or namespace, ESM or require — the style the file already uses).
 */
import { ts } from './compiler.js';
import type { Edit } from '../types.js';
import { addNamedImports, clientNodeName, clientNodeVersion, DISCOVERY_V1_SINCE, localNameOf, versionBelow, type ClientNodeFile } from './client-node.js';
import { CannotFix } from './scope.js';
import { pushAll } from '../push-all.js';

type Bindings = ts.NamedImports | ts.ObjectBindingPattern;

export class EditPlan {
  private readonly edits: Edit[] = [];
  private readonly imports = new Map<Bindings, Set<string>>();
  private readonly provided = new Set<string>();
  private readonly finishing: (() => void)[] = [];
  /** Names the plan's edits declare (`x`, `this.x`), which the source does not show yet. */
  readonly names = new Set<string>();

  constructor(
    readonly sf: ts.SourceFile,
    readonly clientNode: ClientNodeFile,
    /** The file on disk, where the installed or declared client-node version is read. */
    absPath: string,
  ) {
    // Every rewrite uses DiscoveryV1Api, which client-node has only since 0.15: below it the rewritten code would
    // not compile (TypeScript) or would throw when loaded (JavaScript).
    const used = clientNodeVersion(absPath);
    if (used && versionBelow(used.version, DISCOVERY_V1_SINCE)) {
      throw new CannotFix(
        `@kubernetes/client-node ${used.version} (${used.from === 'installed' ? 'installed' : 'the lowest version package.json allows'}) has no DiscoveryV1Api, added in ${DISCOVERY_V1_SINCE}; upgrade it first`,
      );
    }
  }

  replace(start: number, end: number, text: string): void {
    if (start === end && text === '') return;
    this.edits.push({ start, end, text });
  }

  replaceNode(node: ts.Node, text: string): void {
    this.replace(node.getStart(this.sf), node.end, text);
  }

  /** `exported` is made available by an edit of the plan (an import specifier renamed): it needs no new import. */
  provide(exported: string): void {
    this.provided.add(exported);
  }

  add(edits: Edit[]): void {
    pushAll(this.edits, edits);
  }

  /**
   * How to write the client-node export `exported` in the style of `like` (`k8s.CoreV1Api` → `k8s.X`; a
   * name imported one by one → `X`, imported next to it when missing).
   */
  ref(exported: string, like: ts.Node): string {
    if (ts.isPropertyAccessExpression(like) || ts.isQualifiedName(like)) {
      const left = ts.isPropertyAccessExpression(like) ? like.expression : like.left;
      if (ts.isIdentifier(left) && this.clientNode.namespaces.has(left.text)) return `${left.text}.${exported}`;
    }
    if (ts.isTypeReferenceNode(like)) return this.ref(exported, like.typeName);
    const existing = localNameOf(this.clientNode, exported);
    if (existing) return existing;
    if (ts.isIdentifier(like)) {
      const holder = this.clientNode.imports.find((i) =>
        i.bindings?.elements.some((el) => ts.isIdentifier(el.name) && el.name.text === like.text),
      );
      if (holder?.bindings) {
        const names = this.imports.get(holder.bindings) ?? new Set<string>();
        // `import { type V1Endpoints }`: the twin is imported the same way (verbatimModuleSyntax keeps it apart).
        const specifier = holder.bindings.elements.find((el) => ts.isIdentifier(el.name) && el.name.text === like.text);
        const typeOnly = specifier !== undefined && ts.isImportSpecifier(specifier) && specifier.isTypeOnly;
        names.add(typeOnly ? `type ${exported}` : exported);
        this.imports.set(holder.bindings, names);
        return exported;
      }
    }
    throw new CannotFix(`cannot tell how this file imports ${exported} from @kubernetes/client-node`, like);
  }

  /** Changes a type annotation from an Endpoints type of client-node to its EndpointSlice twin. */
  retype(type: ts.TypeNode, twin: string): void {
    const name = clientNodeName(type, this.clientNode);
    if (!name || !ts.isTypeReferenceNode(type) || type.typeArguments) {
      throw new CannotFix(`the value is annotated as \`${type.getText(this.sf)}\`, not a client-node Endpoints type`, type);
    }
    if (name !== twin) this.replaceNode(type.typeName, this.ref(twin, type.typeName));
  }

  /** Work to do once every edit of the plan is known (decisions that depend on all of them). */
  beforeFinish(step: () => void): void {
    this.finishing.push(step);
  }

  finish(): Edit[] {
    for (const step of this.finishing.splice(0)) step();
    let out = [...this.edits];
    for (const [bindings, names] of this.imports) {
      const start = bindings.getStart(this.sf);
      const within = (e: Edit) => e.start > start && e.end < bindings.end;
      const inner = out.filter(within);
      const edit = addNamedImports(bindings, this.clientNode, [...names].filter((n) => !this.provided.has(n.replace(/^type /, ''))), inner);
      if (!edit) continue;
      if (edit.start === start && edit.end === bindings.end) out = out.filter((e) => !within(e));
      out.push(edit);
    }
    return out;
  }
}
