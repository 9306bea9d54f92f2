import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import SweepForm from './SweepForm';

function renderForm(serverError: string | null = null) {
  const onSubmit = vi.fn();
  render(<SweepForm models={[]} defaultModel={undefined} busy={false} serverError={serverError} onSubmit={onSubmit} />);
  return onSubmit;
}

describe('SweepForm', () => {
  it('sends the base prompt and the axes, a seed range as its shorthand', async () => {
    const user = userEvent.setup();
    const onSubmit = renderForm();
    await user.type(screen.getByLabelText('Prompt'), 'A red fox');
    expect(screen.getByTestId('sweep-cells')).toHaveTextContent('9 cells');
    await user.click(screen.getByRole('button', { name: 'Make the grid' }));
    expect(onSubmit).toHaveBeenCalledWith({
      base: { prompt: 'A red fox' },
      axes: [
        { param: 'seed', range: [1, 3] },
        { param: 'num_inference_steps', values: [4, 8, 12] },
      ],
    });
  });

  it('shows the 64-cell message and does not send', async () => {
    const user = userEvent.setup();
    const onSubmit = renderForm();
    await user.type(screen.getByLabelText('Prompt'), 'A red fox');
    const [seeds] = screen.getAllByTestId('sweep-axis-values');
    fireEvent.change(seeds, { target: { value: '1..30' } });
    expect(screen.getByRole('alert')).toHaveTextContent('30 x 3 = 90 cells; a sweep makes at most 64.');
    expect(screen.getByRole('button', { name: 'Make the grid' })).toBeDisabled();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('keeps a prompt required and shows the server message as it came', async () => {
    const user = userEvent.setup();
    const onSubmit = renderForm('num_inference_steps = 1000: num_inference_steps must be between 1 and 100; got 1000.');
    expect(screen.getByRole('alert')).toHaveTextContent(/must be between 1 and 100/);
    await user.click(screen.getByRole('button', { name: 'Make the grid' }));
    expect(screen.getByText('Write the prompt every cell starts from.')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
