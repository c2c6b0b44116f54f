/** The one file input for importing runbooks, so the page button and the command palette open
 * the same picker. Registered by <RunbookImportInput>, which is always mounted. */
let input: HTMLInputElement | null = null;

export function registerImportInput(element: HTMLInputElement | null): void {
  input = element;
}

/** Must run inside a user gesture (a click or key press), as browsers require for file pickers. */
export function openImportPicker(): void {
  input?.click();
}
