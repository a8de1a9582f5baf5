using System;
using NUnit.Framework;
namespace Demo {
  [TestFixture] public class Good {
    [Test] public void Passes() { Assert.AreEqual(2, 1 + 1); }
    [Test] public void Fails() { Assert.AreEqual(3, 1 + 1, "sum"); }
    [Test] public void Throws() { throw new InvalidOperationException("boom"); }
    [Test, Ignore("not today")] public void Ignored() { }
    [Test, Explicit] public void Manual() { }
    [Test] public void Unsure() { Assert.Inconclusive("maybe"); }
    [TestCase(1)] [TestCase(2)] public void Rows(int x) { Assert.AreEqual(1, x); }
  }
  [TestFixture] public class BrokenSetUp {
    [TestFixtureSetUp] public void Init() { throw new Exception("setup exploded"); }
    [Test] public void A() { }
  }
  [TestFixture] public class BrokenTearDown {
    [TestFixtureTearDown] public void Done() { throw new Exception("teardown exploded"); }
    [Test] public void B() { }
  }
}
