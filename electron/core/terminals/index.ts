/**
 * Terminals: what is sent to a shell. For now the pure part of running a step: placeholders
 * filled with shell-quoted values, the production guard, and bracketed-paste safety.
 */
export {
  DISRUPTIVE_COMMANDS,
  PASTE_END,
  PASTE_START,
  fillPlaceholders,
  findCommand,
  prepareCommand,
  prepareStep,
  sanitizeForBracketedPaste,
  wrapBracketedPaste,
  suggestedKind,
  type PreparedCommand,
  type TargetEnvironment,
} from './command';
