const assert = require('assert');
describe('calc', function () {
  it('adds', function () { assert.strictEqual(1 + 1, 2); });
  it('subtracts', function () { assert.strictEqual(2 - 1, 2); });
  it('needs a feature', function () { this.skip(); });
  it.skip('is not written yet', function () {});
});
describe('db', function () {
  before(function () { throw new Error('cannot connect to db'); });
  it('reads', function () {});
});
describe('cleanup', function () {
  afterEach(function () { throw new Error('teardown broke'); });
  it('first', function () {});
  it('second', function () {});
});
