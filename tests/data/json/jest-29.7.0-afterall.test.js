afterAll(() => { throw new Error('could not close the pool'); });
test('queries', () => { expect(true).toBe(true); });
