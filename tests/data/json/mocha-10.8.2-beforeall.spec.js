describe('api', function () {
  before(function () { throw new Error('server did not start'); });
  it('lists users', function () {});
  it('creates a user', function () {});
});
