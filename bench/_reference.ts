// RSPLIB 3.5.10's medians from bench-reference.md (million operations or calls per second,
// static -O2 build, this machine class), for the comparison columns of bench/README.md.

type Row = readonly [number, number, number, number, number]; // N = 10, 100, 1000, 10000, 100000

export const RSPLIB = {
  registration: {
    RoundRobin: [12.7, 6.67, 2.97, 1.90, 0.744],
    WeightedRoundRobin: [12.0, 6.86, 2.66, 1.66, 0.607],
    Random: [12.8, 7.09, 2.81, 1.85, 0.757],
    WeightedRandom: [12.8, 6.90, 2.83, 1.83, 0.739],
    Priority: [12.5, 7.05, 2.74, 1.74, 0.641],
    LeastUsed: [12.8, 7.08, 2.73, 1.70, 0.538],
    PriorityLeastUsed: [12.4, 7.02, 2.67, 1.68, 0.537],
    RandomizedLeastUsed: [12.1, 6.79, 2.74, 1.79, 0.755],
    LeastUsedDegradation: [12.6, 6.91, 2.63, 1.64, 0.550],
  },
  updateChanged: {
    RoundRobin: [10.1, 6.97, 4.49, 2.88, 1.03],
    WeightedRoundRobin: [10.5, 7.41, 3.74, 2.31, 0.829],
    Random: [10.4, 7.66, 3.97, 2.40, 0.633],
    WeightedRandom: [10.3, 7.65, 4.01, 2.41, 0.624],
    Priority: [10.3, 7.72, 3.78, 2.46, 0.838],
    LeastUsed: [8.00, 5.31, 3.51, 2.13, 0.507],
    PriorityLeastUsed: [7.82, 5.22, 3.44, 2.09, 0.501],
    RandomizedLeastUsed: [9.95, 7.54, 3.92, 2.37, 0.646],
    LeastUsedDegradation: [7.84, 5.17, 3.36, 2.03, 0.492],
  },
  updateIdentical: {
    RoundRobin: [12.6, 9.91, 8.16, 5.47, 1.45],
    WeightedRoundRobin: [12.6, 9.93, 8.27, 5.15, 1.44],
    Random: [12.7, 9.87, 8.29, 5.28, 1.46],
    WeightedRandom: [12.6, 9.85, 8.32, 5.38, 1.40],
    Priority: [12.6, 9.97, 8.01, 5.43, 1.44],
    LeastUsed: [12.5, 10.1, 8.04, 5.35, 1.45],
    PriorityLeastUsed: [12.5, 10.1, 7.91, 5.34, 1.47],
    RandomizedLeastUsed: [12.5, 9.65, 7.92, 5.18, 1.45],
    LeastUsedDegradation: [8.01, 5.23, 3.55, 2.24, 0.610],
  },
  deregistration: {
    RoundRobin: [16.2, 13.0, 5.77, 3.61, 1.12],
    WeightedRoundRobin: [16.2, 12.5, 4.78, 2.90, 0.911],
    Random: [16.1, 12.9, 5.08, 2.98, 0.863],
    WeightedRandom: [16.1, 12.9, 5.06, 3.00, 0.849],
    Priority: [15.9, 12.7, 4.81, 2.98, 0.924],
    LeastUsed: [12.9, 7.88, 4.65, 2.85, 0.814],
    PriorityLeastUsed: [12.9, 7.86, 4.67, 2.80, 0.815],
    RandomizedLeastUsed: [16.1, 12.9, 4.94, 2.97, 0.894],
    LeastUsedDegradation: [12.9, 7.85, 4.61, 2.73, 0.858],
  },
  resolve1: {
    RoundRobin: [36.5, 17.7, 11.8, 7.92, 3.36],
    WeightedRoundRobin: [32.3, 22.3, 17.7, 13.0, 10.0],
    Random: [12.8, 8.55, 4.99, 3.10, 0.836],
    WeightedRandom: [13.6, 8.93, 5.25, 3.12, 0.845],
    Priority: [43.0, 30.6, 18.8, 9.63, 7.72],
    LeastUsed: [41.8, 27.9, 19.4, 16.5, 11.4],
    PriorityLeastUsed: [40.8, 26.5, 18.8, 14.0, 11.4],
    RandomizedLeastUsed: [13.4, 8.80, 5.18, 3.12, 0.937],
    LeastUsedDegradation: [29.4, 15.9, 9.64, 6.29, 4.44],
  },
  resolve3: {
    RoundRobin: [32.8, 17.5, 11.5, 7.68, 3.28],
    WeightedRoundRobin: [29.7, 21.0, 16.6, 12.3, 10.1],
    Random: [3.86, 2.41, 1.62, 1.03, 0.261],
    WeightedRandom: [4.38, 2.51, 1.64, 1.02, 0.285],
    Priority: [38.5, 27.8, 18.0, 9.80, 7.50],
    LeastUsed: [36.9, 26.8, 18.6, 16.0, 11.2],
    PriorityLeastUsed: [35.3, 25.7, 18.1, 13.6, 11.1],
    RandomizedLeastUsed: [4.32, 2.45, 1.61, 1.01, 0.288],
    LeastUsedDegradation: [26.8, 16.4, 10.2, 5.44, 3.81],
  },
} as const satisfies Record<string, Record<string, Row>>;

/** RSPLIB's checksum figures (bench-reference.md). */
export const RSPLIB_CHECKSUM = {
  updateNs: [8.35, 7.66, 7.49, 7.71, 8.30],
  recomputeUs: [0.059, 0.58, 7.76, 180, 14259],
  readNs: [1.22, 1.21, 1.20, 1.25, 1.22],
  bufferGBps64k: 8.2,
  bufferGBps16m: 8.1,
  bytesPerPe: 528,
};
