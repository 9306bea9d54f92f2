// Copying text with the Clipboard API. It may be missing (a page not served over https or
// localhost) or refused (no user gesture, a denied permission): callers then show the text for
// the person to copy themselves.

/** Whether `text` went onto the clipboard. */
export async function copyText(text: string): Promise<boolean> {
  // navigator.clipboard is undefined outside a secure context, whatever the DOM types say.
  const clipboard = navigator.clipboard as Clipboard | undefined;
  if (!clipboard) return false;
  try {
    await clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
