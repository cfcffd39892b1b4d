// Hooks and tests that start a platform, or close one, take seconds on a loaded CI machine; jest's
// 5 s default would fail them while nothing is wrong. Tests that need longer still say so.
jest.setTimeout(30_000);
