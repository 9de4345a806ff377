import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';

/** `Elements[2].AmazonTranscribeProcessorConfiguration.LanguageCode` → `['Elements', 2, '…', 'LanguageCode']`. */
export function splitPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[1] !== undefined) segments.push(match[1]);
  }
  return segments;
}

/**
 * Where an API problem's JSON path points in the document text: the property (key and value) it
 * names, or, when that does not exist (a missing field), the nearest enclosing value that does.
 */
export function locatePath(text: string, path: string): { from: number; to: number } | null {
  const root = parseTree(text);
  if (!root) return null;
  const segments = splitPath(path);
  for (let length = segments.length; length >= 0; length--) {
    const node: Node | undefined = findNodeAtLocation(root, segments.slice(0, length));
    if (!node) continue;
    const target = node.parent?.type === 'property' ? node.parent : node;
    return { from: target.offset, to: target.offset + target.length };
  }
  return null;
}
