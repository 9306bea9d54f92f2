import { describe, expect, it } from 'vitest';
import { addedWordCount, diffWords } from './wordDiff';

const added = (prev: string, next: string) =>
  diffWords(prev, next)
    .filter((p) => p.added)
    .map((p) => p.text);

describe('diffWords', () => {
  it('marks nothing when the texts have the same words', () => {
    expect(diffWords('a cat on a mat', 'a cat on a mat')).toEqual([{ text: 'a cat on a mat', added: false }]);
  });

  it('marks words added at the start, in the middle and at the end, each phrase as one run', () => {
    const prev = 'A volcano on a beach';
    const next = 'Cinematic shot: A volcano erupting slowly on a black sand beach at dusk';
    expect(added(prev, next)).toEqual(['Cinematic shot:', 'erupting slowly', 'black sand', 'at dusk']);
    expect(diffWords(prev, next)).toEqual([
      { text: 'Cinematic shot:', added: true },
      { text: ' A volcano ', added: false },
      { text: 'erupting slowly', added: true },
      { text: ' on a ', added: false },
      { text: 'black sand', added: true },
      { text: ' beach ', added: false },
      { text: 'at dusk', added: true },
    ]);
  });

  it('gives the new text back exactly when its runs are joined, whitespace and line breaks included', () => {
    const next = '  A cat\n\nsits,   quietly,\ton a  mat. ';
    expect(
      diffWords('a cat on a mat', next)
        .map((p) => p.text)
        .join(''),
    ).toBe(next);
  });

  it('compares words without case and without the punctuation around them', () => {
    expect(added('a cat, on a mat', 'A Cat on a mat.')).toEqual([]);
    expect(added('a cat', 'a "cat" (sleeping)')).toEqual(['(sleeping)']);
  });

  it('keeps the longest run of common words and marks a repeated word only where it is new', () => {
    expect(added('the dog chases the cat', 'the big dog chases the small cat')).toEqual(['big', 'small']);
    expect(added('red red', 'red red red')).toEqual(['red']);
  });

  it('marks every word added when the old text is empty, and none when the new one is', () => {
    expect(diffWords('', 'fresh words')).toEqual([{ text: 'fresh words', added: true }]);
    expect(diffWords('old words', '')).toEqual([]);
  });

  it('marks only the added words when words were also removed or reordered', () => {
    expect(added('a slow boat on a river', 'a boat on a wide river')).toEqual(['wide']);
    expect(added('sunrise over mountains', 'mountains at sunrise')).toEqual(['at sunrise']);
  });

  it('counts the added words', () => {
    expect(addedWordCount(diffWords('a cat', 'a fluffy cat on a warm mat'))).toBe(5);
    expect(addedWordCount(diffWords('a cat', 'a cat'))).toBe(0);
  });
});
