/**
 * The RTU corruption scenario's device and the truth it is judged by: a pymodbus unit whose registers
 * never change, and for each entity the state Home Assistant must show. Two fc3 blocks of equal length
 * (a stale reply of one would fit the other's request) and one fc4 block; one register holds the bytes
 * of a frame header (0x01 0x03), so a receiver hunting for frames in noise has something to trip on.
 */

export const RTU_DEVICE = { holding: { 0: [1234, 0x0103, 65000, 42], 100: [0x8001, 0x0301, 555, 777] }, input: { 20: [4242, 0xfff6] } };

export interface RtuEntity {
  id: string;
  register_type: 'holding' | 'input';
  address: number;
  data_type: 'uint16' | 'int16' | 'uint32';
  /** The state HA must show: what the register(s) above decode to. */
  truth: string;
}

export const RTU_ENTITIES: readonly RtuEntity[] = [
  { id: 'plain', register_type: 'holding', address: 0, data_type: 'uint16', truth: '1234' },
  { id: 'header_like', register_type: 'holding', address: 1, data_type: 'uint16', truth: '259' },
  { id: 'wide', register_type: 'holding', address: 2, data_type: 'uint32', truth: String(65000 * 65536 + 42) },
  { id: 'negative', register_type: 'holding', address: 100, data_type: 'int16', truth: '-32767' },
  { id: 'other_block', register_type: 'holding', address: 101, data_type: 'uint16', truth: '769' },
  { id: 'other_wide', register_type: 'holding', address: 102, data_type: 'uint32', truth: String(555 * 65536 + 777) },
  { id: 'input', register_type: 'input', address: 20, data_type: 'uint16', truth: '4242' },
  { id: 'input_negative', register_type: 'input', address: 21, data_type: 'int16', truth: '-10' },
];
