import { useEffect, useRef, useState } from 'react';
import type { StoryboardShot } from '../api';
import type { DraftShot, JoinChoice } from './shots';
import { moveShot } from './shots';
import ShotCard from './ShotCard';

export interface ShotStripProps {
  shots: DraftShot[];
  /** The server's shots by id. */
  server: ReadonlyMap<string, StoryboardShot>;
  joins: JoinChoice[];
  joinNote: string | null;
  busy: boolean;
  onChange: (shots: DraftShot[]) => void;
  /** Re-roll the saved shot at this index; null before the board exists. */
  onReroll: ((index: number) => void) | null;
}

/** The shots left to right: drag a card onto another's place, or use its move buttons. */
export default function ShotStrip({ shots, server, joins, joinNote, busy, onChange, onReroll }: ShotStripProps) {
  const listRef = useRef<HTMLOListElement>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [announce, setAnnounce] = useState('');
  const focusAfterMove = useRef<{ key: string; dir: 'left' | 'right' } | null>(null);

  // After a move by keyboard, focus follows the moved card's button.
  useEffect(() => {
    const pending = focusAfterMove.current;
    if (!pending) return;
    focusAfterMove.current = null;
    const card = listRef.current?.querySelector<HTMLElement>(`[data-shot-key="${pending.key}"]`);
    const buttons = card?.querySelectorAll<HTMLButtonElement>('button[aria-label^="Move shot"]');
    if (buttons) {
      const wanted = pending.dir === 'left' ? buttons[0] : buttons[1];
      const other = pending.dir === 'left' ? buttons[1] : buttons[0];
      // At either end the pressed button is disabled: keep focus on the card's other move button.
      (wanted.disabled ? other : wanted).focus();
    }
  }, [shots]);

  const move = (from: number, to: number, viaKeyboard: boolean) => {
    if (to < 0 || to >= shots.length || from === to) return;
    const moved = shots[from];
    onChange(moveShot(shots, from, to));
    setAnnounce(`Shot moved to position ${String(to + 1)} of ${String(shots.length)}.`);
    if (viaKeyboard) focusAfterMove.current = { key: moved.key, dir: to < from ? 'left' : 'right' };
  };

  return (
    <>
      <ol ref={listRef} aria-label="Shots" data-testid="shot-strip" className="flex snap-x gap-3 overflow-x-auto pb-2">
        {shots.map((shot, index) => (
          <ShotCard
            key={shot.key}
            shot={shot}
            index={index}
            count={shots.length}
            server={shot.id ? server.get(shot.id) : undefined}
            joins={joins}
            joinNote={joinNote}
            busy={busy}
            onChange={(changes) => onChange(shots.map((s, i) => (i === index ? { ...s, ...changes } : s)))}
            onRemove={() => {
              onChange(shots.filter((_, i) => i !== index));
              setAnnounce(`Shot ${String(index + 1)} removed.`);
            }}
            onMove={(to) => move(index, to, true)}
            onReroll={onReroll && shot.id ? () => onReroll(index) : null}
            dragProps={{
              draggable: true,
              onDragStart: (e) => {
                setDragFrom(index);
                e.dataTransfer.effectAllowed = 'move';
                e.dataTransfer.setData('text/plain', String(index));
              },
              onDragOver: (e) => {
                if (dragFrom !== null) e.preventDefault();
              },
              onDrop: (e) => {
                e.preventDefault();
                if (dragFrom !== null) move(dragFrom, index, false);
                setDragFrom(null);
              },
              onDragEnd: () => setDragFrom(null),
            }}
          />
        ))}
      </ol>
      <p className="sr-only" aria-live="polite">
        {announce}
      </p>
    </>
  );
}
