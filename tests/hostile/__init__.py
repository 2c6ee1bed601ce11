"""The hostile corpus: a generator of bad inputs and the test that loads and builds them all."""
