import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { DraftShot } from './shots';
import { blankShot, joinChoices } from './shots';
import ShotStrip from './ShotStrip';

function Harness({ initial }: { initial: DraftShot[] }) {
  const [shots, setShots] = useState(initial);
  return (
    <ShotStrip
      shots={shots}
      server={new Map()}
      joins={joinChoices(undefined)}
      joinNote={null}
      busy={false}
      onChange={setShots}
      onReroll={null}
    />
  );
}

const prompts = () =>
  screen.getAllByTestId('shot-card').map((card) => within(card).getByLabelText<HTMLTextAreaElement>('Prompt').value);

describe('ShotStrip', () => {
  it('reorders by keyboard with the move buttons, focus following the shot', async () => {
    const user = userEvent.setup();
    render(<Harness initial={['one', 'two', 'three'].map((prompt) => ({ ...blankShot(), prompt }))} />);
    expect(screen.getByRole('button', { name: 'Move shot 1 left' })).toBeDisabled();

    screen.getByRole('button', { name: 'Move shot 1 right' }).focus();
    await user.keyboard('{Enter}');
    expect(prompts()).toEqual(['two', 'one', 'three']);
    expect(screen.getByRole('button', { name: 'Move shot 2 right' })).toHaveFocus();

    await user.keyboard('{Enter}');
    expect(prompts()).toEqual(['two', 'three', 'one']);
    // At the end "right" is disabled, so focus stays on the card's other move button.
    expect(screen.getByRole('button', { name: 'Move shot 3 left' })).toHaveFocus();
    expect(screen.getByText('Shot moved to position 3 of 3.')).toBeInTheDocument();

    await user.keyboard('{Enter}');
    expect(prompts()).toEqual(['two', 'one', 'three']);
    expect(screen.getByRole('button', { name: 'Move shot 2 left' })).toHaveFocus();
  });

  it('adds nothing and removes a shot with its button', async () => {
    const user = userEvent.setup();
    render(<Harness initial={['a', 'b'].map((prompt) => ({ ...blankShot(), prompt }))} />);
    await user.click(screen.getByRole('button', { name: 'Remove shot 1' }));
    expect(prompts()).toEqual(['b']);
    expect(screen.getByRole('button', { name: 'Remove shot 1' })).toBeDisabled();
  });
});
