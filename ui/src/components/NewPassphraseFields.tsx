import { bilingual } from '../locales';
import { Bilingual } from './Bilingual';

/**
 * Whether a new passphrase typed twice may be sent: long enough, counted in characters as the
 * core counts them (Unicode scalar values, not UTF-16 units), and the same both times. The core
 * checks the length again; this only says so while the manager types.
 */
export function newPassphraseState(first: string, second: string, minChars: number) {
  const tooShort = first !== '' && [...first].length < minChars;
  const differ = second !== '' && first !== second;
  return { tooShort, differ, ready: first !== '' && !tooShort && first === second };
}

/**
 * A new passphrase and its repetition, with what is wrong with them shown as they are typed:
 * the fields of 设置密码 (lock screen) and of 修改密码 (设置). Inside a `form-grid`.
 */
export function NewPassphraseFields({
  id,
  first,
  second,
  onFirst,
  onSecond,
  minChars,
  ruleId,
  disabled = false,
  autoFocus = false,
  testIds,
}: {
  /** Prefix of the inputs' ids. */
  id: string;
  first: string;
  second: string;
  onFirst: (value: string) => void;
  onSecond: (value: string) => void;
  minChars: number;
  /** The element that states the rule, for the first field's description. */
  ruleId: string;
  disabled?: boolean;
  autoFocus?: boolean;
  testIds: { first: string; second: string };
}) {
  const { tooShort, differ } = newPassphraseState(first, second, minChars);
  return (
    <>
      <label htmlFor={`${id}-first`}>
        <Bilingual text={bilingual((m) => m.lock.newPassphrase)} />
      </label>
      <input
        id={`${id}-first`}
        className="input"
        type="password"
        autoComplete="new-password"
        aria-describedby={ruleId}
        value={first}
        onChange={(event) => onFirst(event.target.value)}
        data-testid={testIds.first}
        disabled={disabled}
        autoFocus={autoFocus}
      />
      <label htmlFor={`${id}-second`}>
        <Bilingual text={bilingual((m) => m.lock.repeatPassphrase)} />
      </label>
      <input
        id={`${id}-second`}
        className="input"
        type="password"
        autoComplete="new-password"
        value={second}
        onChange={(event) => onSecond(event.target.value)}
        data-testid={testIds.second}
        disabled={disabled}
      />
      {tooShort && (
        <p role="alert" className="form-grid__wide" data-testid="passphrase-too-short">
          <Bilingual text={bilingual((m) => m.lock.tooShort(minChars))} />
        </p>
      )}
      {differ && (
        <p role="alert" className="form-grid__wide" data-testid="passphrase-differ">
          <Bilingual text={bilingual((m) => m.lock.differ)} />
        </p>
      )}
    </>
  );
}
