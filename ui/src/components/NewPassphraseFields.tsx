import { useState } from 'react';

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

/** A new passphrase typed twice, as the two forms that ask for one hold it. */
export type NewPassphrase = ReturnType<typeof useNewPassphrase>;

/**
 * The state of a new passphrase and its repetition (设置密码 and 修改密码 both ask for one):
 * the two texts, what is wrong with them, and `clear` for after it was sent.
 */
export function useNewPassphrase(minChars: number) {
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const clear = () => {
    setFirst('');
    setSecond('');
  };
  return { first, second, setFirst, setSecond, clear, minChars, ...newPassphraseState(first, second, minChars) };
}

/**
 * A new passphrase and its repetition, with what is wrong with them shown as they are typed:
 * the fields of 设置密码 (lock screen) and of 修改密码 (设置). Inside a `form-grid`.
 */
export function NewPassphraseFields({
  id,
  passphrase,
  ruleId,
  disabled = false,
  autoFocus = false,
  testIds,
}: {
  /** Prefix of the inputs' ids. */
  id: string;
  passphrase: NewPassphrase;
  /** The element that states the rule, for the first field's description. */
  ruleId: string;
  disabled?: boolean;
  autoFocus?: boolean;
  testIds: { first: string; second: string };
}) {
  const { first, second, setFirst: onFirst, setSecond: onSecond, minChars, tooShort, differ } = passphrase;
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
