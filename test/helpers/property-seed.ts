// Every property test runs from a fixed seed (fast-check prints it, with the path to the
// failing case, in any failure): a red run can be replayed exactly. B0S_PROPERTY_SEED
// tries another.
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.B0S_PROPERTY_SEED ?? 20261129) });
