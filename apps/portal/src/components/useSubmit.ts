import { useCallback, useState } from 'react';

export interface SubmitState {
  /** True while a submission runs (for the button's `loading` / the modal's `confirmLoading`). */
  busy: boolean;
  /** What the last submission threw (shown with ProblemAlert), cleared when the next one starts. */
  error: unknown;
  setError: (e: unknown) => void;
  /** Runs `fn` as one submission: busy while it runs, its error kept; resolves true if it succeeded. */
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
}

/** The busy / error state every form's submit had written out by hand (try / catch / finally). */
export function useSubmit(): SubmitState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
