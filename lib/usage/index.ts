export { LIMIT_FIELDS, setLimit, setPrices, setTier, type LimitField, type Limits, type Prices, type SetLimitResult } from './plans.ts';
export { nextPeriod, parsePeriod, periodOf } from './periods.ts';
export { tierSnapshots, usageReport, type UsagePeriod } from './show.ts';
