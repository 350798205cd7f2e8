// English strings of the eval area.
export const evaluate = {} as const;
