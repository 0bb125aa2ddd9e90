//! The scanner's integration tests: one binary, one module per concern.

mod data_modes;
mod far;
mod field_power;
mod hostile;
mod live;
mod model1;
mod overshoot;
mod samples;
mod scenes;
mod segments;
mod sheet;
mod support;
