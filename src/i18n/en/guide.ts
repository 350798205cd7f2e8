// English strings of the guide area.
export const guide = {} as const;
