import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NoContent } from '../../contract/auth.ts';
import { IdParams, isoToEpoch } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { NewStationBody, Station, StationList, StationListQuery, StationPage, StationPatchBody, StationStatsResponse, fleetStatsToWire, stationToWire } from '../../contract/station.ts';
import { forSerializer } from '../../contract/serializer-schema.ts';
import { PeriodQuery } from '../../contract/stats.ts';
import type { ListReader } from '../../lists/list-reader.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { availableStations } from '../../stations/station-list.ts';
import { stationFleetStats } from '../../stations/station-stats.ts';
import { createStation, deleteStation, getStation, updateStation } from '../../stations/stations-service.ts';
import { sendPage } from '../json-body.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 503: Problem };
const tags = ['stations'];

/** The seed's /api/postes/ CRUD, disponibles/ and stats/. */
export const stationRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext; lists: ListReader }> = async (app, { ctx, lists }) => {
  app.get('/api/stations', {
    config: { access: 'operator' },
    schema: { tags, summary: 'List stations: state, online, text; sorted and paged (seed: GET /api/postes/)', querystring: StationListQuery, response: { 200: forSerializer(StationPage), ...errors } },
  }, async (request, reply) => {
    // listStations, written as the serializer would write the page (station-json.ts), on the list worker.
    return sendPage(reply, await lists.read({ list: 'stations', query: request.query }));
  });

  app.get('/api/stations/available', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Stations a visitor can sit at now: available, online, free (seed: GET /api/postes/disponibles/)', response: { 200: StationList, ...errors } },
  }, async () => ({ items: (await availableStations(ctx)).map(stationToWire) }));

  app.get('/api/stations/stats', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Counts by state and online now, and each station’s use over a period, today by default (seed: GET /api/postes/stats/)',
      querystring: PeriodQuery,
      response: { 200: StationStatsResponse, ...errors },
    },
  }, async (request) => fleetStatsToWire(await stationFleetStats(ctx, { from: isoToEpoch(request.query.from), to: isoToEpoch(request.query.to) })));

  app.post('/api/stations', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Add a station by hand; it starts available (seed: POST /api/postes/)', body: NewStationBody, response: { 201: Station, 409: Problem, ...errors } },
  }, async (request, reply) => reply.code(201).send(stationToWire(await createStation(ctx, actorOf(request), request.body))));

  app.get('/api/stations/:id', {
    config: { access: 'station_or_operator', selfParam: 'id' },
    schema: { tags, summary: 'One station with its running session; a station may read itself (seed: GET /api/postes/{id}/)', params: IdParams, response: { 200: Station, 404: Problem, ...errors } },
  }, async (request) => stationToWire(await getStation(ctx, request.params.id)));

  app.put('/api/stations/:id', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Replace name, MAC and IP (an absent IP clears it) (seed: PUT /api/postes/{id}/)',
      params: IdParams,
      body: NewStationBody,
      response: { 200: Station, 404: Problem, 409: Problem, ...errors },
    },
  }, async (request) => {
    const { name, mac, ip } = request.body;
    return stationToWire(await updateStation(ctx, actorOf(request), request.params.id, { name, mac, ip: ip ?? null }));
  });

  app.patch('/api/stations/:id', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Change some of name, MAC, IP (null clears the IP)', params: IdParams, body: StationPatchBody, response: { 200: Station, 404: Problem, 409: Problem, ...errors } },
  }, async (request) => stationToWire(await updateStation(ctx, actorOf(request), request.params.id, request.body)));

  app.delete('/api/stations/:id', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Delete a station; refused while a session runs on it; its sessions stay (seed: DELETE /api/postes/{id}/)',
      params: IdParams,
      response: { 204: NoContent, 404: Problem, 409: Problem, ...errors },
    },
  }, async (request, reply) => {
    await deleteStation(ctx, actorOf(request), request.params.id);
    return reply.code(204).send(null);
  });
};
