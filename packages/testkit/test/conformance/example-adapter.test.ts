// The worked example runs here as it runs in an adapter author's project: the suite and
// its harness live in examples/ (shipped with the package), this file only collects them.
import '../../examples/example-adapter.test.js';
