//! Scoring: stacks of layers with owners and densities, the deployment-model
//! catalogue, and the VAP/HAP profile with every term behind it.
