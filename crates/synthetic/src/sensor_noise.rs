//! A photon-limited sensor in a dim room: shot noise (Poisson in the electrons collected, so it
//! grows with the signal) and read noise (the same at every pixel), both added before the
//! camera's automatic gain brings the picture back up. The dimmer the room, the fewer electrons
//! per grey level and the noisier the frame relative to its contrast, as on a real webcam.

use crate::Rng;

/// The sensor and how much light reaches it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SensorNoise {
    /// Light in the room as a fraction of a normally lit classroom: 1 normal, 0.01 very dim.
    pub light: f32,
    /// Electrons a white (255) pixel collects at `light` 1.
    pub electrons_at_white: f32,
    /// Read noise, in electrons (standard deviation).
    pub read_noise_e: f32,
    /// The most gain the camera's auto exposure applies; dimmer than `1 / max_gain`, the frame
    /// also gets darker.
    pub max_gain: f32,
}

impl SensorNoise {
    /// A small-pixel 720p webcam sensor in a room with this much light.
    pub fn webcam(light: f32) -> Self {
        Self {
            light,
            electrons_at_white: 8000.0,
            read_noise_e: 5.0,
            max_gain: 16.0,
        }
    }

    /// Finite and in range; `None` when it would do nothing.
    pub(crate) fn sane(self) -> Option<Self> {
        let ok = |v: f32, lo: f32, hi: f32, default: f32| {
            if v.is_finite() {
                v.clamp(lo, hi)
            } else {
                default
            }
        };
        let sane = Self {
            light: ok(self.light, 1e-4, 10.0, 1.0),
            electrons_at_white: ok(self.electrons_at_white, 0.0, 1e7, 8000.0),
            read_noise_e: ok(self.read_noise_e, 0.0, 1e4, 0.0),
            max_gain: ok(self.max_gain, 1.0, 1e4, 1.0),
        };
        (sane.electrons_at_white >= 1.0).then_some(sane)
    }

    /// The gain the camera applies after the sensor.
    pub(crate) fn gain(&self) -> f32 {
        (1.0 / self.light).min(self.max_gain)
    }

    /// Turns `buf` (grey levels as a normally lit scene gives them) into what leaves the sensor
    /// after the camera's gain, in grey levels.
    pub(crate) fn apply(&self, buf: &mut [f32], seed: u64) {
        let mut rng = Rng::new(seed ^ 0x5E45_0B5E);
        // Electrons per grey level of the normally lit scene.
        let per_level = self.electrons_at_white * self.light / 255.0;
        let back = self.gain() / per_level * self.light;
        for pair in buf.chunks_mut(2) {
            let [a, b] = rng.noise_pair();
            let [c, d] = rng.noise_pair();
            for (v, (shot, read)) in pair.iter_mut().zip([(a, c), (b, d)]) {
                let electrons = v.max(0.0) * per_level;
                let noisy = electrons + electrons.sqrt() * shot + self.read_noise_e * read;
                *v = noisy * back;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_var(v: &[f32]) -> (f32, f32) {
        let n = v.len() as f32;
        let mean = v.iter().sum::<f32>() / n;
        (mean, v.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / n)
    }

    fn exposed(sensor: SensorNoise, level: f32) -> (f32, f32) {
        let mut buf = vec![level; 40_000];
        sensor.apply(&mut buf, 3);
        mean_var(&buf)
    }

    #[test]
    fn shot_noise_variance_grows_with_brightness() {
        let sensor = SensorNoise {
            read_noise_e: 0.0,
            ..SensorNoise::webcam(1.0)
        };
        let (dark_mean, dark_var) = exposed(sensor, 50.0);
        let (bright_mean, bright_var) = exposed(sensor, 200.0);
        assert!((dark_mean - 50.0).abs() < 0.2 && (bright_mean - 200.0).abs() < 0.3);
        // Poisson: variance proportional to the signal, so 4 times the light, 4 times it.
        let ratio = bright_var / dark_var;
        assert!((3.5..4.5).contains(&ratio), "{ratio}");
    }

    #[test]
    fn dim_rooms_are_noisier_relative_to_the_signal() {
        let bright = exposed(SensorNoise::webcam(1.0), 200.0);
        let dim = exposed(SensorNoise::webcam(0.1), 200.0);
        // Within the gain range the camera brings the level back up...
        assert!((dim.0 - 200.0).abs() < 1.0, "{}", dim.0);
        // ...and with it the noise: ten times less light, about ten times the variance.
        assert!(dim.1 > 8.0 * bright.1, "{} vs {}", dim.1, bright.1);
        // Read noise alone shows in the black.
        let (_, black_var) = exposed(SensorNoise::webcam(0.02), 0.0);
        assert!(black_var > 1.0, "{black_var}");
        // Past the most gain, the frame darkens too.
        let (very_dim_mean, _) = exposed(SensorNoise::webcam(0.01), 200.0);
        assert!(
            (very_dim_mean - 200.0 * 0.16).abs() < 2.0,
            "{very_dim_mean}"
        );
    }

    #[test]
    fn hostile_parameters_are_made_sane() {
        let nan = SensorNoise {
            light: f32::NAN,
            electrons_at_white: f32::INFINITY,
            read_noise_e: -1.0,
            max_gain: 0.0,
        }
        .sane()
        .expect("defaults");
        assert!(nan.light == 1.0 && nan.max_gain >= 1.0 && nan.read_noise_e == 0.0);
        let none = SensorNoise {
            electrons_at_white: 0.0,
            ..SensorNoise::webcam(1.0)
        };
        assert_eq!(none.sane(), None);
    }
}
