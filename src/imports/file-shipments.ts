/**
 * The shipments an import's shipments file names, by reference: what its IMEI file may refer to (created by
 * the import, or already stored identically). Kept compact, since it grows with the file: one map entry per
 * reference and a few typed-array slots per shipment (about 60 bytes a row), instead of an object per row.
 */
export class FileShipments {
  /** reference -> slot; a reference used by several exporters in the file -> -(1 + index into `several`). */
  private readonly byReference = new Map<string, number>();
  private readonly several: number[][] = [];
  private nos = new Float64Array(1024);
  private units = new Int32Array(1024);
  private listed = new Int32Array(1024);
  /** bit 0: created by this import; bit 1: named by its IMEI file. */
  private flags = new Uint8Array(1024);
  private size = 0;

  /** Adds a shipment; returns its slot. */
  add(reference: string, no: number, units: number, created: boolean): number {
    if (this.size === this.nos.length) this.grow();
    const slot = this.size++;
    this.nos[slot] = no;
    this.units[slot] = units;
    this.flags[slot] = created ? 1 : 0;
    const known = this.byReference.get(reference);
    if (known === undefined) this.byReference.set(reference, slot);
    else if (known >= 0) {
      this.several.push([known, slot]);
      this.byReference.set(reference, -this.several.length);
    } else this.several[-known - 1].push(slot);
    return slot;
  }

  setNo(slot: number, no: number): void {
    this.nos[slot] = no;
  }

  /** The slots of the shipments with this reference (several when several exporters used it in the file). */
  find(reference: string): readonly number[] {
    const known = this.byReference.get(reference);
    return known === undefined ? [] : known >= 0 ? [known] : this.several[-known - 1];
  }

  no(slot: number): number {
    return this.nos[slot];
  }

  created(slot: number): boolean {
    return (this.flags[slot] & 1) === 1;
  }

  /** Counts one IMEI line naming this shipment. */
  list(slot: number): void {
    this.flags[slot] |= 2;
    this.listed[slot]++;
  }

  /** Every shipment the IMEI file named, with how many lines named it. */
  *named(): Generator<{ reference: string; no: number; units: number; created: boolean; listed: number }> {
    for (const [reference, known] of this.byReference) {
      for (const slot of known >= 0 ? [known] : this.several[-known - 1]) {
        if (this.flags[slot] & 2) yield { reference, no: this.nos[slot], units: this.units[slot], created: this.created(slot), listed: this.listed[slot] };
      }
    }
  }

  private grow(): void {
    const double = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.nos = double(this.nos);
    this.units = double(this.units);
    this.listed = double(this.listed);
    this.flags = double(this.flags);
  }
}
