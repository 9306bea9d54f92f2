// A word-level diff for the prompt enhancer's suggestion: which words of the suggestion were
// added to the person's prompt. A longest common subsequence of the two texts' words; words
// compare without case and without the punctuation around them ("Cat," matches "cat").

/** A run of the new text, with whether it was added (not in the old text). */
export interface DiffPart {
  text: string;
  added: boolean;
}

// Past this many word pairs the table would be large: fall back to "not among the old words".
const MAX_CELLS = 4_000_000;

function key(word: string): string {
  const bare = word.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  return bare || word;
}

/** For each word of `next`, whether it is added: not part of a longest common subsequence with `prev`. */
function addedFlags(prev: readonly string[], next: readonly string[]): boolean[] {
  const n = prev.length;
  const m = next.length;
  if (n * m > MAX_CELLS) {
    const known = new Set(prev);
    return next.map((w) => !known.has(w));
  }
  // lcs[i * (m + 1) + j]: the length of the longest common subsequence of prev[i:] and next[j:].
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i * width + j] =
        prev[i] === next[j]
          ? lcs[(i + 1) * width + j + 1] + 1
          : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    }
  }
  const added = new Array<boolean>(m).fill(true);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (prev[i] === next[j]) {
      added[j] = false;
      i += 1;
      j += 1;
    } else if (lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) i += 1;
    else j += 1;
  }
  return added;
}

/**
 * `next` cut into runs of kept and added text; joined, the runs give `next` back exactly. The
 * space between two added words belongs to the added run, so that a phrase is marked as one.
 */
export function diffWords(prev: string, next: string): DiffPart[] {
  const tokens = next.match(/\S+|\s+/g) ?? [];
  const words = tokens.filter((t) => /\S/.test(t));
  const flags = addedFlags((prev.match(/\S+/g) ?? []).map(key), words.map(key));
  const parts: DiffPart[] = [];
  let w = 0;
  for (const token of tokens) {
    let added: boolean;
    if (/\S/.test(token)) {
      added = flags[w];
      w += 1;
    } else {
      // Whitespace: added only between two added words.
      added = w > 0 && w < words.length && flags[w - 1] && flags[w];
    }
    const last = parts.at(-1);
    if (last && last.added === added) last.text += token;
    else parts.push({ text: token, added });
  }
  return parts;
}

/** How many words of `next` were added. */
export function addedWordCount(parts: readonly DiffPart[]): number {
  return parts.filter((p) => p.added).reduce((n, p) => n + (p.text.match(/\S+/g)?.length ?? 0), 0);
}
