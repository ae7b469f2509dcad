// The ConfigValidationError a step throws, for the tests that look into it (code, issues, message).
import { type ConfigValidationError, isConfigValidationError } from "@aiq/config-core";

function validationError(error: unknown): ConfigValidationError {
  if (isConfigValidationError(error)) return error;
  throw error;
}

/**
 * Runs `action` and returns the ConfigValidationError it throws; any other error is thrown on, and a
 * return fails the test.
 * @param action a synchronous step: `() => parseConfig(text, options)`
 * @returns the error
 */
export function thrownValidationError(action: () => unknown): ConfigValidationError {
  try {
    action();
  } catch (error) {
    return validationError(error);
  }
  throw new Error("expected a ConfigValidationError, nothing was thrown");
}

/**
 * Awaits `promise` and returns the ConfigValidationError it rejects with; any other error is thrown
 * on, and a fulfilment fails the test.
 * @param promise an asynchronous step: `resolveConfig(document, options)`
 * @returns the error
 */
export async function rejectedValidationError(promise: Promise<unknown>): Promise<ConfigValidationError> {
  try {
    await promise;
  } catch (error) {
    return validationError(error);
  }
  throw new Error("expected a ConfigValidationError, the promise was fulfilled");
}
