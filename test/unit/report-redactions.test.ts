import { describe, expect, it } from 'vitest';
import { describeRedactions, pluralKind } from '../../renderer/src/features/reports/redactions';

// What the export dialog says before anything is saved: the count by kind, largest first.
describe('the redaction count shown before export', () => {
  it('says there is nothing to redact when nothing matched', () => {
    expect(describeRedactions({ total: 0, byKind: {} })).toBe('Nothing to redact');
  });

  it('counts by kind, largest first, in plural where it must be', () => {
    expect(describeRedactions({ total: 12, byKind: { 'bearer token': 2, 'vault secret': 3, 'AWS key': 1, 'password in URL': 6 } })).toBe(
      '12 values redacted: 6 passwords in URL, 3 vault secrets, 2 bearer tokens, 1 AWS key',
    );
    expect(describeRedactions({ total: 1, byKind: { 'private key': 1 } })).toBe('1 value redacted: 1 private key');
  });

  it('pluralises the operator’s words, not the qualifier after them', () => {
    expect(pluralKind('password in URL', 2)).toBe('passwords in URL');
    expect(pluralKind('authorization header', 2)).toBe('authorization headers');
    expect(pluralKind('basic auth', 1)).toBe('basic auth');
  });
});
