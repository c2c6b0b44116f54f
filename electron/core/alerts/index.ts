/**
 * Alert feeds: sources (polled adapters in ./adapters, webhook receivers in ./webhook) feed one
 * deduplicated list of alerts, stored with their history and linked to the runbooks that answer them.
 */
export { AlertFeed, MAX_BACKOFF_MS, type AlertFeedOptions, type AlertSourceSettings, type FeedChange, type PolledSourceFactory, type WebhookHandle, type WebhookStarter } from './feed';
export { RunbookLinker, nameKey, type LinkTarget, type LinkableRunbook } from './links';
export { rulesFromRunbook } from './rules';
export type { ObservedAlert, PollContext, PollResult, PolledConfig, PolledSource, SilencingSource, WebhookConfig } from './source';
