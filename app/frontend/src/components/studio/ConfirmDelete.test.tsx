import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import ConfirmDelete from './ConfirmDelete';

function renderIt() {
  const onConfirm = vi.fn();
  render(
    <ConfirmDelete
      label="Delete sweep"
      question="Delete this sweep and its 9 videos?"
      onConfirm={onConfirm}
      testId="x"
    />,
  );
  return onConfirm;
}

describe('ConfirmDelete', () => {
  it('asks first: the confirm button takes the focus and says what goes', async () => {
    const user = userEvent.setup();
    const onConfirm = renderIt();
    await user.click(screen.getByRole('button', { name: 'Delete sweep' }));
    expect(onConfirm).not.toHaveBeenCalled();
    const group = screen.getByRole('group', { name: 'Confirm: Delete sweep' });
    const confirm = screen.getByRole('button', { name: 'Delete sweep' });
    expect(group).toContainElement(confirm);
    expect(confirm).toHaveFocus();
    expect(confirm).toHaveAccessibleDescription('Delete this sweep and its 9 videos?');
    await user.keyboard('{Enter}');
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('group')).not.toBeInTheDocument();
  });

  it('Escape or "Keep it" deletes nothing and gives the focus back to the button', async () => {
    const user = userEvent.setup();
    const onConfirm = renderIt();
    const trigger = screen.getByRole('button', { name: 'Delete sweep' });
    trigger.focus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('button', { name: 'Delete sweep' })).toHaveAttribute('data-testid', 'x-confirm');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Delete sweep' })).toHaveFocus();

    await user.keyboard(' ');
    await user.click(screen.getByRole('button', { name: 'Keep it' }));
    expect(screen.getByRole('button', { name: 'Delete sweep' })).toHaveFocus();
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
