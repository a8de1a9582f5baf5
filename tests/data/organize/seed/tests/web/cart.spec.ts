import { describe, it, expect } from "vitest";
import { total } from "../../src/cart";

describe("cart", () => {
  it("sums", () => expect(total([1, 2])).toBe(3));
});
