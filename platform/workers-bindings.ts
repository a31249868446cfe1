// The Worker's secret binding that holds a region's Kubernetes token (upper-case, "-" as "_").
// Apart from workers.ts so Node-side tools can name it without loading the Worker's bundle inputs.
export const tokenBindingName = (region: string) => `DICOT_TOKEN_${region.toUpperCase().replace(/-/g, '_')}`;
