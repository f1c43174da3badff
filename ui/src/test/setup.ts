import "@testing-library/jest-dom/vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeAll } from "vitest";

beforeAll(() => {
  // jsdom does no layout: give elements a size so the virtualizer renders rows, and a
  // scrollTo so scrollToIndex does not hit jsdom's "not implemented".
  Object.defineProperty(HTMLElement.prototype, "offsetHeight", {
    configurable: true,
    get: () => 800,
  });
  Object.defineProperty(HTMLElement.prototype, "offsetWidth", {
    configurable: true,
    get: () => 600,
  });
  Object.defineProperty(Element.prototype, "clientHeight", { configurable: true, get: () => 800 });
  Object.defineProperty(Element.prototype, "clientWidth", { configurable: true, get: () => 600 });
  Element.prototype.scrollTo = function scrollTo() {};
});

afterEach(() => {
  cleanup();
  clearMocks();
});
